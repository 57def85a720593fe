#include <sqlite3.h>
#include "SQLiteConfig.h"

int taskbox_sqlite_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
