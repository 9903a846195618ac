"""Assets by layer: landing sources and raw loads, the dbt project, the serving snapshot."""
