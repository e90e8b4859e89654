"""Packaging and deployment: one build (``package``), boto3 deployment to Glue, EMR and EMR Serverless
(``plan`` -> ``apply``), the Step Functions pipeline and Glue workflow, and least-privilege IAM policies."""
