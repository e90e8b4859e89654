package dea_etl.spark;

import java.util.Map;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Iceberg's JDBC catalog under a name of its own choosing: {@code catalog-name} (default: the Spark
 * catalog's name). Iceberg's JDBC catalog keys every row by the catalog's name; a lake's catalog file is
 * written under one documented name ({@code lake}), so that pyiceberg's SQL catalog and a Spark session
 * configured as Iceberg's documentation says open it, while one Spark session may still hold several
 * lakes, each as a Spark catalog of its own.
 */
public class LakeJdbcCatalog extends JdbcCatalog {
  public static final String CATALOG_NAME = "catalog-name";

  @Override
  public void initialize(String name, Map<String, String> properties) {
    super.initialize(properties.getOrDefault(CATALOG_NAME, name), properties);
  }
}
