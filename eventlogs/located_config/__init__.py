"""One reader for located configuration: a TOML source configuration, YAML time rules and a YAML designed
journey are all read into `Located` sections whose keys know their line, with one set of typed accessors
whose errors name the file, the line and the key."""

from eventlogs.located_config.from_toml import read_toml
from eventlogs.located_config.from_yaml import read_yaml
from eventlogs.located_config.located import KeyPath, Located

__all__ = ["KeyPath", "Located", "read_toml", "read_yaml"]
