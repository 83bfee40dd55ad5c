/*
 * ctl_output.c - tables and the JSON output of `ferry ctl` (YAML is ctl_yaml.c).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl_output.h"
#include "support/strlist.h"

struct ctl_table {
    FILE *out;
    int columns;
    const char **headers;
    strlist cells; /* row-major */
    int colour_column;
    bool failed;
};

ctl_table *ctl_table_new(FILE *out, int columns, ...)
{
    ctl_table *table = calloc(1, sizeof(*table));
    if (!table)
        return NULL;
    table->out = out;
    table->columns = columns;
    table->colour_column = -1;
    table->headers = calloc((size_t)columns, sizeof(*table->headers));
    if (!table->headers) {
        ctl_table_destroy(table);
        return NULL;
    }
    va_list ap;
    va_start(ap, columns);
    for (int i = 0; i < columns; i++)
        table->headers[i] = va_arg(ap, const char *);
    va_end(ap);
    return table;
}

void ctl_table_destroy(ctl_table *table)
{
    if (!table)
        return;
    strlist_free(&table->cells);
    free(table->headers);
    free(table);
}

void ctl_table_colour_column(ctl_table *table, int column)
{
    table->colour_column = column;
}

void ctl_table_row_cells(ctl_table *table, const char *const *cells)
{
    for (int i = 0; i < table->columns; i++) {
        const char *cell = cells[i] ? cells[i] : "";
        if (strlist_append(&table->cells, cell, strlen(cell)) != 0)
            table->failed = true;
    }
}

void ctl_table_row(ctl_table *table, ...)
{
    const char *cells[16] = {0};
    va_list ap;
    va_start(ap, table);
    for (int i = 0; i < table->columns && i < 16; i++)
        cells[i] = va_arg(ap, const char *);
    va_end(ap);
    ctl_table_row_cells(table, cells);
}

/* Characters on the screen: UTF-8 continuation bytes take no column. */
static size_t ctl_display_width(const char *text)
{
    size_t width = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        width += (*c & 0xC0) != 0x80;
    return width;
}

void ctl_table_print(ctl_table *table)
{
    size_t widths[16] = {0};
    int columns = table->columns < 16 ? table->columns : 16;
    size_t rows = table->cells.count / (size_t)table->columns;
    for (int c = 0; c < columns; c++) {
        widths[c] = ctl_display_width(table->headers[c]);
        for (size_t r = 0; r < rows; r++) {
            size_t width = ctl_display_width(table->cells.items[r * (size_t)table->columns + c]);
            widths[c] = width > widths[c] ? width : widths[c];
        }
    }
    bool colours = ctl_output_colours(table->out);
    for (size_t r = 0; r <= rows; r++) {
        if (r == 0 && colours)
            fputs("\033[1m", table->out);
        for (int c = 0; c < columns; c++) {
            const char *cell = r == 0 ? table->headers[c]
                                      : table->cells.items[(r - 1) * (size_t)table->columns + c];
            bool last = c == columns - 1;
            const char *colour = r > 0 && c == table->colour_column
                                     ? ctl_output_state_colour(table->out, cell)
                                     : "";
            fprintf(table->out, "%s%s%s", colour, cell,
                    colour[0] ? ctl_output_colour_end(table->out) : "");
            if (!last)
                fprintf(table->out, "%*s", (int)(widths[c] - ctl_display_width(cell) + 2), "");
        }
        if (r == 0 && colours)
            fputs("\033[0m", table->out);
        fputc('\n', table->out);
    }
    if (table->failed)
        fputs("(rows missing: out of memory)\n", table->out);
}

bool ctl_output_colours(FILE *out)
{
    const char *no_colour = getenv("NO_COLOR");
    return isatty(fileno(out)) && !(no_colour && no_colour[0]);
}

const char *ctl_output_state_colour(FILE *out, const char *state)
{
    if (!state || !ctl_output_colours(out))
        return "";
    if (strcmp(state, "RUNNING") == 0)
        return "\033[32m";
    if (strcmp(state, "FAILED") == 0)
        return "\033[31m";
    if (strcmp(state, "PAUSED") == 0 || strcmp(state, "STOPPED") == 0 ||
        strcmp(state, "RESTARTING") == 0 || strcmp(state, "UNASSIGNED") == 0)
        return "\033[33m";
    return "";
}

const char *ctl_output_colour_end(FILE *out)
{
    return ctl_output_colours(out) ? "\033[0m" : "";
}

int ctl_output_value(const json_t *value, ctl_format format, FILE *out)
{
    if (format == CTL_FORMAT_YAML) {
        ctl_yaml_write(value, out);
    } else if (value) {
        if (json_dumpf(value, out, JSON_INDENT(2) | JSON_ENCODE_ANY) != 0)
            return CTL_EXIT_SERVER;
        fputc('\n', out);
    } else {
        fputs("null\n", out);
    }
    return ferror(out) ? CTL_EXIT_SERVER : CTL_EXIT_OK;
}

char *ctl_output_cell(const json_t *value)
{
    if (json_is_string(value))
        return strdup(json_string_value(value));
    if (!value || json_is_null(value))
        return strdup("");
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

/* The tasks of a status answer ({"tasks":[{"id","state","worker_id"}]}) as a table. */
void ctl_output_tasks(json_t *status, FILE *out)
{
    ctl_table *table = ctl_table_new(out, 3, "ID", "STATE", "WORKER");
    if (!table)
        return;
    ctl_table_colour_column(table, 1);
    size_t i;
    json_t *task;
    json_array_foreach(json_object_get(status, "tasks"), i, task) {
        char *id = ctl_output_cell(json_object_get(task, "id"));
        ctl_table_row(table, id, json_string_value(json_object_get(task, "state")),
                      json_string_value(json_object_get(task, "worker_id")));
        free(id);
    }
    ctl_table_print(table);
    ctl_table_destroy(table);
}
