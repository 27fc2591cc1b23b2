"""The engine's bridge for REST `AWS` integrations to services MiniStack's gateway cannot reach
(SageMaker runtime, Bedrock runtime): a Lambda function of the engine's own, deployed next to
the integration, that does what API Gateway does for such an integration (see handler.py).
Its modules use only the standard library and botocore, as they run in MiniStack's Lambda
runtime; `vtl` is also what the engine checks templates with at plan time."""
