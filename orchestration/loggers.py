"""The console logger of Arvo's job: Dagster's colored console logger, with one line made readable."""

from __future__ import annotations

import ast
import logging
import re

import dagster as dg

from orchestration.assets.dbt import arvo_dbt_models

DBT_OP_NAME = arvo_dbt_models.op.name

# Dagster's info line for a step that did not yield every output it declared.
_OMITTED = re.compile(rf"'{DBT_OP_NAME}' did not yield or return expected outputs (\{{.*\}})\.", re.DOTALL)


class _LeftOutChecksFilter(logging.Filter):
    """Counts the dbt step's omitted outputs instead of naming them.

    They are the results of the tests of the models a build leaves out (arvo.build_scope): every
    check of the project, ~150 names on one line, on a run with nothing new. The dbt scope line just
    before says which models were left out and why.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        match = _OMITTED.search(message)
        if match:
            left_out = len(ast.literal_eval(match.group(1)))
            record.msg = (
                f"{message[: match.start()]}'{DBT_OP_NAME}': no result for {left_out} checks, the tests of the "
                "models this build left out (see the dbt scope line)"
            )
            record.args = ()
        return True


@dg.logger(
    config_schema=dg.colored_console_logger.config_schema,
    description="Dagster's colored console logger; the dbt step's omitted check results are counted, not listed.",
)
def console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    console = dg.colored_console_logger.logger_fn(init_context)
    console.addFilter(_LeftOutChecksFilter())
    return console
