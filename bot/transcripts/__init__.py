"""Dialog transcripts: YAML conversations that replay as tests, through the engine or an adapter."""
