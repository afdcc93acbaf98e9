"""jobboss"""
