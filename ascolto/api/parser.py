"""The API's request parser: ninja's query parsing, refusing text with NUL characters (no
database column can hold them: PostgreSQL refuses them outright) with a 422 naming the
parameter. JSON bodies are checked the same way by the middleware (`body_problems`)."""

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from ninja.parser import Parser


def nul_paths(value: Any, path: tuple) -> list[tuple]:
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        found = [path + (key,) for key in value if isinstance(key, str) and "\x00" in key]
        for key, item in value.items():
            found += nul_paths(item, path + (key,))
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in nul_paths(item, path + (i,))]
    return []


def _refuse_nul(value: Any, where: str) -> Any:
    paths = nul_paths(value, (where,))
    if paths:
        raise ValidationError(
            [{"loc": list(p), "msg": _("Null characters are not allowed.")} for p in paths[:20]]
        )
    return value


class ApiParser(Parser):
    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return _refuse_nul(super().parse_querydict(data, list_fields, request), "query")
