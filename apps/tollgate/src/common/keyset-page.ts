import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor, InvalidCursorError } from '@tollgate/drift';

/**
 * One page of a list read newest first by (a time column, id). The cursor holds the time and id of
 * the last row of the page before, so the next page starts right after it, not at an offset that
 * shifts when rows are added. The lists of exceptions, attestations and connection changes read
 * their pages through this.
 *
 * Use: build it with the query's cursor and limit (a bad cursor is a 400 at once), `add` the
 * list's filters, run `sql()`, and hand the rows to `result()`.
 */
export class KeysetPage<TimeColumn extends string> {
  private readonly where: string[] = [];
  private readonly params: unknown[] = [];
  private readonly after: ReturnType<typeof decodeCursor> | undefined;
  private readonly limit: number;

  constructor(
    private readonly table: string,
    private readonly timeColumn: TimeColumn,
    query: { cursor?: string; limit?: number },
  ) {
    this.limit = query.limit ?? 50;
    try {
      this.after = query.cursor ? decodeCursor(query.cursor) : undefined;
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  /** A condition every row must meet. Each `?` in it becomes a numbered parameter holding the next of `values`. */
  add(condition: string, ...values: unknown[]): void {
    if ((condition.match(/\?/g) ?? []).length !== values.length) throw new Error(`"${condition}" needs one value for each ?`);
    let next = 0;
    this.where.push(
      condition.replace(/\?/g, () => {
        this.params.push(values[next++]);
        return `$${this.params.length}`;
      }),
    );
  }

  /** The page's SELECT: the conditions, then the rows after the cursor, newest first, one row more than the page to tell whether there is a next. */
  sql(): { text: string; values: unknown[] } {
    const where = [...this.where];
    const values = [...this.params];
    if (this.after) {
      values.push(this.after.openedAt, this.after.id);
      where.push(`(${this.timeColumn}, id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
    }
    values.push(this.limit + 1);
    return {
      text: `SELECT * FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')} ` : ''}ORDER BY ${this.timeColumn} DESC, id DESC LIMIT $${values.length}`,
      values,
    };
  }

  /** The page's items, each shown by `view`, and the cursor of the next page: null on the last one. */
  result<Row extends { id: string } & Record<TimeColumn, Date>, View>(rows: Row[], view: (row: Row) => View): { items: View[]; nextCursor: string | null } {
    const last = rows.length > this.limit ? rows[this.limit - 1] : undefined;
    return {
      items: rows.slice(0, this.limit).map((row) => view(row)),
      nextCursor: last ? encodeCursor({ openedAt: last[this.timeColumn].toISOString(), id: last.id }) : null,
    };
  }
}
