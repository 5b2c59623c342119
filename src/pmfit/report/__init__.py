"""Reports and charts: adapters that turn engine results into documents."""
