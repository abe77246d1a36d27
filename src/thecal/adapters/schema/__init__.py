"""Every input document as a pydantic model: scenario files, virtual patients, the
programmer's inputs and the programs the web accepts; their JSON Schemas in
docs/schemas/ are generated from them (`thecal schema`)."""
