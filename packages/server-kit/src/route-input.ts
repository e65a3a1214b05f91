import { ApiError, type RouteDef, summarizeIssues, validationIssues } from '@apiary/protocol';
import type { z } from 'zod';

/** Validates one part of a request (params, query, body) with its schema, or throws a 400. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    // At most 20 issues are listed, the rest counted: a body of thousands of bad entries cannot
    // turn into a huge answer.
    const { issues, omitted } = validationIssues(result.error, { at: where });
    throw new ApiError('validation', summarizeIssues(issues, { omitted }), {
      details: issues,
      omittedIssues: omitted,
    });
  }
  return result.data;
}

/**
 * A route's JSON body, validated: the route's bulk traffic, proven plain by its cheap check,
 * needs no schema walk; anything else meets the full schema.
 */
export function routeBody(route: RouteDef, json: unknown): unknown {
  if (!route.body || route.body === 'stream') return json;
  return route.plainBody?.(json) ? json : parseInput(route.body, json, 'body');
}

/** Throws (a 500: the server broke its own contract) when a JSON response breaks its schema. */
export function checkResponse(route: RouteDef, payload: unknown): void {
  if (!route.response || route.response === 'stream') return;
  const check = route.response.safeParse(payload);
  if (!check.success) {
    throw new Error(
      `response of ${route.method} ${route.path} breaks its schema: ${summarizeIssues(validationIssues(check.error).issues)}`,
    );
  }
}
