"""A3C and the asynchronous value-based methods (Mnih et al., ICML 2016), on CPUs."""
__version__ = "0.1.0"
