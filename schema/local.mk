schemadir = $(pkgdatadir)/schema
dist_schema_DATA = %D%/001_core.sql %D%/002_seed.sql
dist_schema_DATA += %D%/003_poller.sql
dist_schema_DATA += %D%/010_settings.sql
dist_schema_DATA += %D%/040_metrics.sql
dist_schema_DATA += %D%/011_plan_server_types.sql
dist_schema_DATA += %D%/070_first_hour.sql
dist_schema_DATA += %D%/110_alerts.sql
