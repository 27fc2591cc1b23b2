"""What the components refuse before any resource exists: a caller's argument that would bring
back a fixed physical name or fight what the component manages, and routes whose logical names
would collide."""

from __future__ import annotations

import pytest

from shared.components import (
    HttpApi,
    HttpApiArgs,
    HttpTarget,
    RestApi,
    RestApiArgs,
    Route,
    Stage,
    Throttle,
    naming,
)

STAGE = Stage("dev", Throttle(10, 20), 7)
MODEL = HttpTarget("https://model.example.com/invocations")


def test_a_physical_name_in_extra_arguments_is_refused() -> None:
    with pytest.raises(ValueError, match="name: the resource is auto-named"):
        naming.merged("aigw:lambda:Function", {}, {"name": "fixed"}, {})


def test_what_a_component_manages_itself_is_refused_with_its_reason() -> None:
    with pytest.raises(ValueError, match="versioning: managed by the component"):
        naming.merged(
            "aigw:s3:PrivateBucket",
            {},
            {"versioning": {"enabled": False}},
            {},
            auto_named=("bucket",),
            refused={"versioning": "managed by the component as its own resource"},
        )


def test_every_refusal_is_listed_at_once() -> None:
    with pytest.raises(ValueError) as raised:
        naming.merged("t", {}, {"name": "x", "role": "y"}, {"role": "mine"})
    assert "role cannot be set by the caller" in str(raised.value)
    assert "name: the resource is auto-named" in str(raised.value)


@pytest.mark.parametrize(
    "paths",
    [["/a-b", "/a/b"], ["/items/{id}", "/items/id"]],
    ids=["dash against slash", "parameter against literal"],
)
def test_paths_whose_logical_names_collide_are_refused(paths: list[str]) -> None:
    routes = [Route("POST", path, MODEL) for path in paths]
    with pytest.raises(ValueError, match="paths not only in '/' against '-'"):
        RestApi("api", RestApiArgs(routes=routes, stage=STAGE))


def test_a_route_listed_twice_is_refused() -> None:
    routes = [Route("GET", "/health", MODEL), Route("GET", "/health", MODEL)]
    with pytest.raises(ValueError, match="a route is listed twice"):
        HttpApi("api", HttpApiArgs(routes=routes, stages=[STAGE]))


def test_http_apis_refuse_what_only_rest_apis_have() -> None:
    with pytest.raises(ValueError, match="HTTP APIs have no API keys or body models"):
        HttpApi(
            "api",
            HttpApiArgs(routes=[Route("POST", "/p", MODEL, api_key_required=True)], stages=[STAGE]),
        )
    with pytest.raises(ValueError, match="no X-Ray"):
        HttpApi(
            "api",
            HttpApiArgs(
                routes=[Route("POST", "/p", MODEL)],
                stages=[Stage("dev", Throttle(1, 1), 7, tracing=True)],
            ),
        )


def test_rest_api_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="endpoint_type must be one of EDGE, REGIONAL, PRIVATE"):
        RestApi(
            "api",
            RestApiArgs(routes=[Route("POST", "/p", MODEL)], stage=STAGE, endpoint_type="GLOBAL"),
        )
