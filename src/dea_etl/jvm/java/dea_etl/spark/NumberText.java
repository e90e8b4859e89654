package dea_etl.spark;

import org.apache.spark.sql.api.java.UDF1;

/**
 * True when a CSV field holds nothing but what a plain or exponent number is written with: the digits,
 * {@code .}, {@code e}, {@code E}, {@code +}, {@code -}, a space and a tab (null for null). Spark's cast
 * to DOUBLE/FLOAT then decides whether it is a number; the cast alone would also take Java's own
 * syntax ({@code 12d}, {@code 1.5f}, {@code 0x1p4}), which is not CSV's.
 *
 * <p>The same test as {@code translate(field, '0123456789.eE+- \t', '') = ''}, in one pass over the
 * characters (Spark's {@code translate} makes a string and a map lookup per character; the measurements
 * are in {@code dea_etl.transforms.parsing}).
 */
public final class NumberText implements UDF1<String, Boolean> {
  private static final long serialVersionUID = 1L;

  @Override
  public Boolean call(String field) {
    if (field == null) {
      return null;
    }
    for (int i = 0, n = field.length(); i < n; i++) {
      if (!isNumberCharacter(field.charAt(i))) {
        return Boolean.FALSE;
      }
    }
    return Boolean.TRUE;
  }

  private static boolean isNumberCharacter(char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' || c == ' '
        || c == '\t';
  }
}
