"""zhixiao (质效): court trial-management and judicial data review."""

__version__ = "0.1.0"
