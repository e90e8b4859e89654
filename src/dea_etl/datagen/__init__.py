"""Synthetic data for the course's tables whose files are not available (orders)."""

from dea_etl.datagen.orders import COURSE_SAMPLE_LINES, OrdersConfig, generate_orders, write_orders_csv

__all__ = ["COURSE_SAMPLE_LINES", "OrdersConfig", "generate_orders", "write_orders_csv"]
