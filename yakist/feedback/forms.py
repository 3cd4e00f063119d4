"""Public forms: feedback on a page, and the applicant's rating of a centre."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yakist.feedback.enums import Aspect
from yakist.feedback.models import FeedbackMessage

MAX_TEXT = 2000


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Що ви хочете повідомити?"),
        choices=FeedbackMessage.Kind.choices,
        widget=forms.RadioSelect,
        initial=FeedbackMessage.Kind.DATA_ERROR,
    )
    text = forms.CharField(
        label=_("Ваше повідомлення"),
        max_length=MAX_TEXT,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
        help_text=_("Що саме неточно або що варто покращити. До 2000 символів."),
        error_messages={
            "required": _("Напишіть, будь ласка, що саме неточно або що покращити."),
            "min_length": _("Опишіть трохи докладніше (щонайменше 10 символів)."),
            "max_length": _("Повідомлення задовге: не більше 2000 символів."),
        },
    )
    contact = forms.CharField(
        label=_("Контакт для відповіді (необов'язково)"),
        max_length=200,
        required=False,
        help_text=_(
            "Електронна пошта або телефон. Бачать лише ті, хто відповідає; не оприлюднюється."
        ),
    )
    subject = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    page = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    # Honeypot: hidden from people, filled by bots.
    website = forms.CharField(required=False, label=_("Не заповнюйте це поле"))

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if text.lower().count("http://") + text.lower().count("https://") > 3:
            raise forms.ValidationError(_("Забагато посилань у повідомленні."))
        return text


ASPECT_CHOICES = [
    ("", _("— не оцінюю —")),
    *[(str(v), label) for v, label in reversed(Aspect.choices)],
]


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_(
            "Наскільки ймовірно, що ви порекомендуєте цей центр знайомим? "
            "(0 — зовсім ні, 10 — точно так)"
        ),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Оберіть оцінку від 0 до 10."),
            "invalid_choice": _("Оберіть оцінку від 0 до 10."),
        },
    )
    premises = forms.TypedChoiceField(
        label=_("Приміщення"), choices=ASPECT_CHOICES, coerce=int, required=False, empty_value=None
    )
    staff = forms.TypedChoiceField(
        label=_("Працівники"), choices=ASPECT_CHOICES, coerce=int, required=False, empty_value=None
    )
    services_range = forms.TypedChoiceField(
        label=_("Перелік доступних послуг"),
        choices=ASPECT_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )
    overall = forms.TypedChoiceField(
        label=_("Процес обслуговування загалом"),
        choices=ASPECT_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )
    comment = forms.CharField(
        label=_("Коментар (необов'язково; бачить лише центр)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
    )
    website = forms.CharField(required=False, label=_("Не заповнюйте це поле"))


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Відповідь (буде оприлюднена на сторінці статусу)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
