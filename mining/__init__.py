"""Pure analysis over the event store: discovery, handovers, designed-journey comparison. No Prefect here."""
