"""JobBOSS2 records -> qbXML requests, one module per record family."""
