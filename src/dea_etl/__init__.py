"""dea-etl: reusable PySpark ETL jobs for an AWS data lake.

Typed CSV -> Parquet with quarantine, sales marts, DQDL data quality and job bookmarks that run the same
locally, in tests, on AWS Glue 5, on EMR 7 and on EMR Serverless.
"""

from dea_etl.errors import AccountingError, DeaEtlError, InputError, JobArgumentError, OutputError

__version__ = "0.1.0"

__all__ = ["AccountingError", "DeaEtlError", "InputError", "JobArgumentError", "OutputError", "__version__"]
