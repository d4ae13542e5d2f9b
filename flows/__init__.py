"""Prefect flows and deployments: thin wiring of eventlogs/ and mining/, no analysis logic."""
