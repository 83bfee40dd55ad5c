/*
 * ctl_output.h - how `ferry ctl` shows answers: aligned tables for people (states coloured when
 * stdout is a terminal and NO_COLOR is unset), or the JSON value as JSON or YAML for scripts.
 */
#ifndef FERRY_CTL_OUTPUT_H
#define FERRY_CTL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "ctl/ctl_args.h"

typedef struct ctl_table ctl_table;

/* A table of columns (the header names, borrowed for the table's life); NULL out of memory. */
ctl_table *ctl_table_new(FILE *out, int columns, ...);
void ctl_table_destroy(ctl_table *table); /* accepts NULL */
/* Cells of one column are coloured by the state they name (RUNNING green, FAILED red, ...). */
void ctl_table_colour_column(ctl_table *table, int column);
/* Adds a row of `columns` strings (copied; NULL shows as empty). */
void ctl_table_row(ctl_table *table, ...);
/* The same with an array of cells. */
void ctl_table_row_cells(ctl_table *table, const char *const *cells);
/* Prints the header and the rows, each column as wide as its widest cell. */
void ctl_table_print(ctl_table *table);

/* true when out gets colours (a terminal, NO_COLOR unset). */
bool ctl_output_colours(FILE *out);
/* The escape sequence that colours a state word ("" for none or without colours), and the
 * one that ends it. */
const char *ctl_output_state_colour(FILE *out, const char *state);
const char *ctl_output_colour_end(FILE *out);

/* value as JSON (indented) or YAML. An exit code (CTL_EXIT_OK, or CTL_EXIT_SERVER when it
 * cannot be written). */
int ctl_output_value(const json_t *value, ctl_format format, FILE *out);

/* The tasks of a status answer: ID, STATE (coloured), WORKER. */
void ctl_output_tasks(json_t *status, FILE *out);

/* A JSON value as one line of text for a table cell (a string as it is); malloc'd. */
char *ctl_output_cell(const json_t *value);

/* YAML of a JSON value, block style, strings quoted wherever YAML would read them otherwise. */
void ctl_yaml_write(const json_t *value, FILE *out);

#endif
