"""Security primitives of the SOAP edge: password hashing, session tickets, login throttling."""
