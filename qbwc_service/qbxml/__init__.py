"""qbxml"""
