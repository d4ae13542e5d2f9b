"""pilot"""
