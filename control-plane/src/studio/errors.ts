/** An unknown id: Studio answers with a 404 page. */
export class NotFound extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`);
  }
}
