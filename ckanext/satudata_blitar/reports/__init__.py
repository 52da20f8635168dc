"""reports"""

# The context key under which a caller gives the monitoring and evaluation actions of one period and OPD the same
# dict (a "run", reports/figures.py): the evaluation then reads what the monitoring computed (its documents say
# what the monitoring found, so both are asked for together).
RUN = "satudata_report_run"
