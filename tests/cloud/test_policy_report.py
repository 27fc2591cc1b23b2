"""The CLI's policy report turned into the one sentence a user reads (shared/ops/cloud_errors)."""

from __future__ import annotations

from pulumi import automation as auto

from shared.ops.cloud_errors import describe_command_error, policy_violations

REPORT = (
    "Previewing update (dev):\n"
    "\n"
    "Policies:\n"
    "    \x1b[31m❌ aigw@v1.0.0 (local: /repo/policy)\x1b[0m\n"
    "        - [mandatory]  requires-credentials  (aws:apigateway/method:Method: api-get)\n"
    "          Every REST method and HTTP API route outside local requires credentials.\n"
    "          The GET method 'api-get' accepts calls without credentials: set authorization.\n"
    "        - [advisory]  some-advice  (aws:s3/bucket:Bucket: data)\n"
    "          Advice.\n"
    "          Only advice.\n"
    "        - [mandatory]  buckets-private-encrypted-versioned  (pulumi:pulumi:Stack: demo-dev)\n"
    "          Every S3 bucket blocks public access, is encrypted and is versioned.\n"
    "          The bucket 'data' is not versioned: add an aws.s3.BucketVersioning.\n"
    "\n"
    "Diagnostics:\n"
    "  pulumi:pulumi:Stack (demo-dev):\n"
    "    error: preview failed\n"
)


def test_each_mandatory_violation_is_read_with_its_rule_message_and_resource():
    assert policy_violations(REPORT) == [
        (
            "requires-credentials",
            "The GET method 'api-get' accepts calls without credentials: set authorization.",
            "aws:apigateway/method:Method api-get",
        ),
        (
            "buckets-private-encrypted-versioned",
            "The bucket 'data' is not versioned: add an aws.s3.BucketVersioning.",
            "pulumi:pulumi:Stack demo-dev",
        ),
    ]


def test_the_user_reads_one_sentence_naming_every_refusing_rule():
    failed = auto.CommandError(auto.CommandResult(REPORT, "error: preview failed\n", 255))

    sentence = describe_command_error(failed, "demo", "dev", "preview")

    assert sentence == (
        "The policy pack refused to preview demo/dev: requires-credentials: The GET method "
        "'api-get' accepts calls without credentials: set authorization "
        "(aws:apigateway/method:Method api-get); buckets-private-encrypted-versioned: The "
        "bucket 'data' is not versioned: add an aws.s3.BucketVersioning."
    )
