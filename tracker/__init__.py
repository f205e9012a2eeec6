"""The plan tracker: equality action plans, their actions and progress, and the EIA programme.

It may import ``eia``; ``eia`` never imports it outside ``create_app``.
"""
