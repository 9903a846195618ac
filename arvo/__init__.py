"""Arvo: a customer-value warehouse that ties what customers perceive to what they pay."""

__version__ = "0.1.0"
