"""Public read API of open data: the catalogue of published data sets (no login)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from yakist.portal import opendata

router = Router(tags=["Відкриті дані"])


class DatasetOut(Schema):
    period: str
    title: str
    publications: int
    corrections: int
    updated_at: dt.datetime
    files: dict[str, str] = Field(description="csv, json, xlsx → адреса файлу")
    dictionary: str
    licence: str


@router.get("/open-data", response=list[DatasetOut], summary="Каталог відкритих даних")
def open_data(request: HttpRequest):
    """Оприлюднені набори даних за періодами: посилання на CSV, JSON і XLSX, словник даних,
    ліцензія CC BY 4.0. Published data sets per period with their files, dictionary and licence."""
    return opendata.catalogue()
