"""`invoke bench` prints figures and is never timed here (benchmarks are not tests); what is
tested is that the programs it generates are programs the components accept, so a change to
a component's arguments cannot leave `invoke bench --routes` failing (as it once did, when
`RestApiArgs` gained its required `access`)."""

from __future__ import annotations

from collections import Counter

import pytest

from shared.ops import bench
from tests.conftest import run_stack_program


@pytest.mark.parametrize("count", [1, 3])
def test_the_route_sweep_program_declares_one_method_and_integration_per_route(count):
    name = f"bench-routes-{count}"
    with bench._generated_stacks({name: bench._routes_program(count)}):
        run = run_stack_program(name, "local")

    kinds = Counter(reg.type for reg in run.resources)
    assert kinds["aws:apigateway/method:Method"] == count
    assert kinds["aws:apigateway/integration:Integration"] == count
    assert kinds["aws:apigateway/restApi:RestApi"] == 1
    assert kinds["aws:apigateway/apiKey:ApiKey"] == 0  # open: what routes cost, no caller check
    assert set(run.outputs) == {"url"}
