#ifndef TASKBOX_SQLITE_CONFIG_H
#define TASKBOX_SQLITE_CONFIG_H

/// Turns off SQLite's memory statistics (SQLITE_CONFIG_MEMSTATUS): with them on, every
/// sqlite3_malloc and sqlite3_free takes one process-wide mutex, which the writer and the
/// readers then contend for. Only effective before SQLite initializes (the first connection);
/// returns SQLITE_OK then, SQLITE_MISUSE after. sqlite3_config is variadic, so Swift cannot
/// call it directly.
int taskbox_sqlite_disable_memstatus(void);

#endif
