// Route types derived from the generated OpenAPI types (openapi.ts): every
// /v1 route's path parameters, query, body and reply come from the
// contract, so a route, a field or a parameter the server does not have is
// a compile error.
import type { components, paths } from "./openapi.js"

export type { components, paths }

/** The API's objects, by schema name: Schemas["Authorization"], Schemas["Checkout"], … */
export type Schemas = components["schemas"]

export type HttpMethod = "get" | "post" | "delete"

type V1 = Extract<keyof paths, `/v1/${string}`>

/** The operation of method on route P. */
export type Operation<P extends keyof paths, M extends HttpMethod> = NonNullable<paths[P][M]>

/** The /v1 routes that have method M. */
export type Routes<M extends HttpMethod> = {
  [P in V1]: [Operation<P, M>] extends [never] ? never : P
}[V1]

type Clean<T> = [NonNullable<T>] extends [never] ? never : NonNullable<T>

type PathPart<O> = O extends { parameters: infer Ps }
  ? Ps extends { path?: infer X }
    ? [Clean<X>] extends [never]
      ? { path?: undefined }
      : { path: Clean<X> }
    : { path?: undefined }
  : { path?: undefined }

// Public routes (/v1/public/…) take the key set's Client ID in the query:
// the client fills it in.
type PublicQuery<P, Q> = P extends `/v1/public/${string}` ? Omit<Q, "client_id"> & { client_id?: string } : Q

type QueryPart<P, O> = O extends { parameters: infer Ps }
  ? Ps extends { query?: infer X }
    ? [Clean<X>] extends [never]
      ? { query?: undefined }
      : {} extends PublicQuery<P, Clean<X>>
        ? { query?: PublicQuery<P, Clean<X>> }
        : { query: PublicQuery<P, Clean<X>> }
    : { query?: undefined }
  : { query?: undefined }

type JSONBody<R> = R extends { content: { "application/json": infer B } } ? B : never

type BodyPart<O> = O extends { requestBody: infer R }
  ? { body: JSONBody<R> }
  : O extends { requestBody?: infer R }
    ? [Clean<R>] extends [never]
      ? { body?: undefined }
      : { body?: JSONBody<Clean<R>> }
    : { body?: undefined }

/** Per-call options that every route takes. */
export interface CallOptions {
  /**
   * The Idempotency-Key of a POST. Without it the client makes one up; either
   * way every retry of the call carries the same key, so money moves once.
   * Pass your own (an order id and the step) to make a call idempotent across
   * processes too — a retried job, a second click.
   */
  idempotencyKey?: string
  /** Cancels the call, its retries and their waits included. */
  signal?: AbortSignal
  /** Accept-Language of this call ("fr-CA"): overrides the client's. */
  language?: string
}

/** The options of route P with method M: path parameters, query, body and CallOptions. */
export type RequestOptions<P extends keyof paths, M extends HttpMethod> = PathPart<Operation<P, M>> &
  QueryPart<P, Operation<P, M>> &
  BodyPart<Operation<P, M>> &
  CallOptions

/** The arguments after the route: optional when nothing in them is required. */
export type Args<P extends keyof paths, M extends HttpMethod> = {} extends RequestOptions<P, M>
  ? [options?: RequestOptions<P, M>]
  : [options: RequestOptions<P, M>]

type Content<R> = R extends { content: infer C }
  ? C extends { "application/json": infer J }
    ? J
    : C extends { [type: string]: infer T }
      ? T
      : undefined
  : undefined

/** The reply of a successful call of route P with method M. */
export type Reply<P extends keyof paths, M extends HttpMethod> = Operation<P, M> extends { responses: infer R }
  ? R extends { 200: infer S }
    ? Content<S>
    : R extends { 201: infer S }
      ? Content<S>
      : R extends { 202: infer S }
        ? Content<S>
        : undefined
  : never

/** The GET routes that answer a page of a list (object "list", data, has_more). */
export type ListRoutes = {
  [P in Routes<"get">]: Reply<P, "get"> extends { object: "list"; data: unknown[]; has_more: boolean } ? P : never
}[Routes<"get">]

/** The objects a list route pages through. */
export type ListItem<P extends ListRoutes> = Reply<P, "get"> extends { data: Array<infer T> } ? T : never
