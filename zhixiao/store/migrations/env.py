"""Alembic environment: runs on the connection handed over by ``zhixiao.store.ops.migrate``."""

from alembic import context
from sqlalchemy import create_engine

from zhixiao.store.ops import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is None:
        with create_engine(config.get_main_option("sqlalchemy.url")).begin() as c:
            context.configure(connection=c, target_metadata=target_metadata)
            context.run_migrations()
        return
    context.configure(connection=conn, target_metadata=target_metadata)
    context.run_migrations()


run()
