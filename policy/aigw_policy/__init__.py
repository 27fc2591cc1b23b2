"""The rules of the `aigw` policy pack (policy/README.md lists them).

Self-contained (pulumi_policy and the standard library only): the Pulumi CLI runs it from
policy/__main__.py, and the local engine (shared/local/engine/policy.py) calls the same
validate functions on its plan.
"""

from pulumi_policy import Policy

from aigw_policy.api import (
    bootstrap_before_logging,
    requires_credentials,
    stage_logs_and_throttling,
)
from aigw_policy.domains import cloudfront_alias_no_health, tls_1_2_domains
from aigw_policy.functions import function_timeout_below_integration, supported_lambda_runtimes
from aigw_policy.iam import no_iam_wildcards
from aigw_policy.names import fixed_names_delete_before_replace
from aigw_policy.storage import buckets_private_encrypted_versioned

PACK_NAME = "aigw"

POLICIES: list[Policy] = [
    requires_credentials,
    stage_logs_and_throttling,
    no_iam_wildcards,
    buckets_private_encrypted_versioned,
    tls_1_2_domains,
    supported_lambda_runtimes,
    function_timeout_below_integration,
    fixed_names_delete_before_replace,
    cloudfront_alias_no_health,
    bootstrap_before_logging,
]
