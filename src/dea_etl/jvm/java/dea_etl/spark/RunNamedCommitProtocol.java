package dea_etl.spark;

import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.spark.internal.io.FileNameSpec;
import org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol;

/**
 * Spark's default commit protocol, with the run id in each file name ({@link RunFileNames}). For the
 * platforms' own committers (Glue, EMR: the EMRFS S3-optimized committer is bound through this class).
 */
public class RunNamedCommitProtocol extends SQLHadoopMapReduceCommitProtocol {
  private static final long serialVersionUID = 1L;

  public RunNamedCommitProtocol(String jobId, String path, boolean dynamicPartitionOverwrite) {
    super(jobId, path, dynamicPartitionOverwrite);
  }

  @Override
  public String getFilename(TaskAttemptContext taskContext, FileNameSpec spec) {
    return RunFileNames.withRun(super.getFilename(taskContext, spec), spec, taskContext.getConfiguration());
  }
}
