package dea_etl.spark;

import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.spark.internal.io.FileNameSpec;
import org.apache.spark.internal.io.cloud.PathOutputCommitProtocol;

/**
 * Spark's cloud commit protocol (spark-hadoop-cloud: S3A's magic committer on {@code s3a://}, Hadoop's
 * FileOutputCommitter on local paths), with the run id in each file name ({@link RunFileNames}).
 */
public class RunNamedCloudCommitProtocol extends PathOutputCommitProtocol {
  private static final long serialVersionUID = 1L;

  public RunNamedCloudCommitProtocol(String jobId, String path, boolean dynamicPartitionOverwrite) {
    super(jobId, path, dynamicPartitionOverwrite);
  }

  @Override
  public String getFilename(TaskAttemptContext taskContext, FileNameSpec spec) {
    return RunFileNames.withRun(super.getFilename(taskContext, spec), spec, taskContext.getConfiguration());
  }
}
