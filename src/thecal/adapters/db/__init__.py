"""The clinic's database: tables, migrations, the unit of work and its repositories,
the read models, the audit chain, users, the demo seed and the composition root."""
