package dea_etl.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.internal.io.FileNameSpec;

/**
 * Puts the writing run's id into the name of every data file Spark writes: {@code
 * part-00003-<run>-<job uuid>-c000.snappy.parquet} instead of {@code part-00003-<job uuid>-c000...}.
 *
 * <p>The run id comes from the write's Hadoop configuration ({@value #RUN_ID_KEY}; a DataFrameWriter
 * option reaches it), so each write names its own files, whatever else runs in the session. A plain
 * Parquet table then needs no manifest: the files of a run are the files whose names carry its id, and
 * removing a killed run's files removes exactly what it wrote. Without the key the name is Spark's.
 */
public final class RunFileNames {
  /** The write option (and Hadoop key) holding the run id. */
  public static final String RUN_ID_KEY = "dea-etl.run-id";

  private RunFileNames() {}

  /**
   * {@code spark}, the name Spark chose for the file ({@code <prefix>part-<split>-<job uuid><suffix>}),
   * with {@code <run>-} after the split number when the configuration names a run.
   */
  public static String withRun(String spark, FileNameSpec spec, Configuration conf) {
    String run = conf.get(RUN_ID_KEY);
    if (run == null || run.isEmpty()) {
      return spark;
    }
    if (!run.matches("[A-Za-z0-9_]+(-[A-Za-z0-9_]+)*")) {
      throw new IllegalArgumentException(RUN_ID_KEY + " must be letters, digits, _ and single -: " + run);
    }
    int start = spec.prefix().length() + "part-".length();
    int dash = spark.indexOf('-', start);
    if (!spark.startsWith("part-", spec.prefix().length()) || dash < 0) {
      throw new IllegalStateException("unexpected file name from Spark: " + spark);
    }
    return spark.substring(0, dash + 1) + run + "-" + spark.substring(dash + 1);
  }
}
