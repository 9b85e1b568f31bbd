"""The assessment body is documented in OpenAPI by the CLI's own schema.

The route parses the body itself (for the CLI's messages), so FastAPI alone would
document it as "any object"; :func:`hiplab.web.api.add_body_schemas` adds the schema.
The document must describe what the route accepts: a valid input validates against
it, and an input the route refuses for its shape fails it too.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from fastapi import FastAPI

from hiplab.web.api import add_body_schemas
from tests.web.conftest import SAMPLE_INPUT

BODY_PATH = "/api/v1/people/{person_id}/assessments"


def _body_validator(app: FastAPI) -> jsonschema.Draft202012Validator:
    document = app.openapi()
    body = document["paths"][BODY_PATH]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True
    assert schema["$ref"] == "#/components/schemas/AssessmentInput"
    resolvable = {**schema, "components": document["components"]}
    return jsonschema.Draft202012Validator(resolvable)


def test_the_sample_input_matches_the_documented_body(app: FastAPI) -> None:
    validator = _body_validator(app)
    assert list(validator.iter_errors(SAMPLE_INPUT)) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body.pop("person"),
        lambda body: body["person"].update(age="forty"),
        lambda body: body.update(unknown_field=1),
    ],
)
def test_a_body_of_the_wrong_shape_fails_the_documented_schema(app: FastAPI, change: Any) -> None:
    body = copy.deepcopy(SAMPLE_INPUT)
    change(body)
    assert list(_body_validator(app).iter_errors(body)) != []


def test_a_schema_name_taken_by_another_schema_is_refused() -> None:
    document: dict[str, Any] = {
        "paths": {BODY_PATH: {"post": {"requestBody": {"content": {"application/json": {}}}}}},
        "components": {"schemas": {"Sex": {"type": "string", "enum": ["other"]}}},
    }
    with pytest.raises(RuntimeError, match="'Sex'"):
        add_body_schemas(document)
