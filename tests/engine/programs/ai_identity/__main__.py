"""What an AI service puts next to its API for identity: a customer managed policy attached to
its role, an API key in Secrets Manager and in Parameter Store, and Cognito machine-to-machine
auth (a user pool with a domain, a resource server with a scope, a client-credentials client).

name     physical-name stem (unique per test); also the Cognito domain prefix
apiKey   the API key stored as a secret (a secret Output)
model    the model id in a plain String parameter: updates in place
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
name = config.require("name")
api_key = pulumi.Output.secret(config.require("apiKey"))

read_models = aws.iam.Policy(
    "read-models",
    name_prefix=f"{name}-",
    path="/ai/",
    description="read the model bucket",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::models/*"}
            ],
        }
    ),
    tags={"purpose": "inference"},
)
assume_lambda = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
service_role = aws.iam.Role(
    "service",
    assume_role_policy=assume_lambda,
    managed_policy_arns=[read_models.arn],
)
worker_role = aws.iam.Role("worker", assume_role_policy=assume_lambda)
aws.iam.RolePolicyAttachment(
    "worker-read-models", role=worker_role.name, policy_arn=read_models.arn
)
aws.iam.RolePolicy(
    "worker-secret",
    role=worker_role.arn,  # an ARN here; a name works as well
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
            ],
        }
    ),
)

secret = aws.secretsmanager.Secret(
    "api-key", description="the model provider's key", recovery_window_in_days=0
)
secret_version = aws.secretsmanager.SecretVersion(
    "api-key", secret_id=secret.id, secret_string=api_key
)
key_parameter = aws.ssm.Parameter("api-key", type="SecureString", value=api_key)
model_parameter = aws.ssm.Parameter(
    "model",
    name=f"/{name}/model",
    type="String",
    value=config.get("model") or "small",
    description="the model the service calls",
    tags={"purpose": "inference"},
)
regions_parameter = aws.ssm.Parameter("regions", type="StringList", value="us-east-1,eu-west-1")

pool = aws.cognito.UserPool("callers", tags={"purpose": "inference"})
domain = aws.cognito.UserPoolDomain("callers", domain=name, user_pool_id=pool.id)
api = aws.cognito.ResourceServer(
    "api",
    identifier=f"https://{name}.example.com",
    user_pool_id=pool.id,
    scopes=[{"scope_name": "invoke", "scope_description": "call the model"}],
)
client = aws.cognito.UserPoolClient(
    "machine",
    user_pool_id=pool.id,
    generate_secret=True,
    allowed_oauth_flows=["client_credentials"],
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_scopes=api.scope_identifiers,
    explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
    supported_identity_providers=["COGNITO"],
)

pulumi.export("policyArn", read_models.arn)
pulumi.export("policyId", read_models.policy_id)
pulumi.export("serviceRole", service_role.name)
pulumi.export("workerRole", worker_role.name)
pulumi.export("secretArn", secret.arn)
pulumi.export("secretVersionId", secret_version.version_id)
pulumi.export("keyParameter", key_parameter.name)
pulumi.export("modelParameterArn", model_parameter.arn)
pulumi.export("modelParameterVersion", model_parameter.version)
pulumi.export("regionsParameter", regions_parameter.name)
pulumi.export("poolId", pool.id)
pulumi.export("poolEndpoint", pool.endpoint)
pulumi.export("domain", domain.domain)
pulumi.export("scopes", api.scope_identifiers)
pulumi.export("clientId", client.id)
pulumi.export("clientSecret", client.client_secret)
