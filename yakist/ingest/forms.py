"""Staff forms of the intake: a file of case events, a notice of monitoring."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _


class CaseUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Файл подій справ (CSV або XLSX)"),
        validators=[FileExtensionValidator(["csv", "xlsx"])],
        help_text=_("Один рядок — одна подія; колонки — поля події API (див. шаблон)."),
    )


class MonitoringNoticeForm(forms.Form):
    notified_on = forms.DateField(
        label=_("Дата повідомлення Мінцифри"), widget=forms.DateInput(attrs={"type": "date"})
    )
    tools = forms.CharField(
        label=_("Власні технічні та програмні засоби моніторингу"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.CharField(label=_("Контактна особа та її службова адреса"), max_length=300)
    document = forms.FileField(
        label=_("Документ повідомлення (PDF)"),
        required=False,
        validators=[FileExtensionValidator(["pdf"])],
    )
