from django.urls import path, register_converter

from yakist.statmon import hromada_views, report_views, views


class QuarterConverter:
    regex = r"\d{4}Q[1-4]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(QuarterConverter, "quarter")

app_name = "statmon"

urlpatterns = [
    path("hromada/", hromada_views.hromada_reports, name="hromada_reports"),
    path("hromada/<quarter:period>/", hromada_views.hromada_report, name="hromada_report"),
    path("", views.index, name="index"),
    path("forms/", views.forms_page, name="forms"),
    path("forms/<int:version>/", views.form_page, name="form"),
    path("campaigns/", views.campaigns_page, name="campaigns"),
    path("<quarter:period>/", views.campaign_page, name="campaign"),
    path("<quarter:period>/accept/", views.bulk_accept, name="bulk_accept"),
    path("<quarter:period>/rollup/", views.rollup_page, name="rollup"),
    path("<quarter:period>/rollup/<str:region>/", views.rollup_region, name="rollup_region"),
    path(
        "<quarter:period>/rollup/<str:region>/<str:code>/",
        views.rollup_centres,
        name="rollup_centres",
    ),
    path("<quarter:period>/export.<str:fmt>", views.rollup_export, name="export"),
    path("<quarter:period>/<str:code>/", report_views.report_page, name="report"),
    path("<quarter:period>/<str:code>/review/", report_views.report_review, name="review"),
    path("<quarter:period>/<str:code>/correct/", report_views.report_correct, name="correct"),
    path("<quarter:period>/<str:code>/history/", report_views.report_history, name="history"),
    path(
        "<quarter:period>/<str:code>/template.xlsx",
        report_views.report_template,
        name="template",
    ),
    path("<quarter:period>/<str:code>/upload/", report_views.report_upload, name="upload"),
]
