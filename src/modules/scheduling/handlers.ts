import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as appointments from "./appointments.ts";
import { availability } from "./availability.ts";
import * as encounters from "./encounters.ts";
import * as routes from "./routes.ts";
import * as visitRoutes from "./routes-encounters.ts";
import * as scheduleRoutes from "./routes-schedules.ts";
import * as schedules from "./schedules.ts";
import * as views from "./views.ts";

export function registerAppointmentHandlers(r: OpenAPIHono<AppEnv>) {
  const deps = (c: { get(key: "deps"): AppEnv["Variables"]["deps"] }) => c.get("deps");
  r.openapi(
    routes.availability,
    async (c) => c.json(await availability(deps(c), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(routes.book, async (c) => {
    const a = await appointments.bookAppointment(deps(c), actorOf(c), c.req.valid("json"));
    return created(c, a, `/appointments/${a.id}`);
  });
  r.openapi(
    routes.list,
    async (c) =>
      c.json(await views.listAppointments(deps(c), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.stats,
    async (c) =>
      c.json(await views.appointmentStats(deps(c), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.calendar,
    async (c) => c.json(await views.calendar(deps(c), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(routes.read, async (c) =>
    withEtag(
      c,
      await appointments.readAppointment(deps(c), actorOf(c), c.req.valid("param").id),
    ));
  r.openapi(routes.update, async (c) =>
    withEtag(
      c,
      await appointments.changeAppointment(
        deps(c),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
        ifMatch(c),
      ),
    ));
  r.openapi(routes.confirm, async (c) =>
    c.json(
      await appointments.confirmAppointment(
        deps(c),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
      200,
    ));
  r.openapi(routes.cancel, async (c) =>
    withEtag(
      c,
      await appointments.cancelAppointment(
        deps(c),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").reason,
      ),
    ));
  r.openapi(routes.checkIn, async (c) =>
    withEtag(
      c,
      await encounters.checkIn(deps(c), actorOf(c), c.req.valid("param").id, c.req.valid("json")),
    ));
  r.openapi(routes.noShow, async (c) =>
    withEtag(
      c,
      await appointments.markNoShow(deps(c), actorOf(c), c.req.valid("param").id),
    ));
  r.openapi(
    routes.patientStats,
    async (c) =>
      c.json(await views.patientStats(deps(c), actorOf(c), c.req.valid("param").id), 200),
  );
}

export function registerEncounterHandlers(r: OpenAPIHono<AppEnv>) {
  const deps = (c: { get(key: "deps"): AppEnv["Variables"]["deps"] }) => c.get("deps");
  r.openapi(visitRoutes.open, async (c) => {
    const e = await encounters.openEncounter(deps(c), actorOf(c), c.req.valid("json"));
    return created(c, e, `/encounters/${e.id}`);
  });
  r.openapi(
    visitRoutes.list,
    async (c) =>
      c.json(await encounters.listEncounters(deps(c), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    visitRoutes.queue,
    async (c) => c.json(await encounters.queue(deps(c), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    visitRoutes.callNext,
    async (c) => withEtag(c, await encounters.callNext(deps(c), actorOf(c), c.req.valid("json"))),
  );
  r.openapi(visitRoutes.read, async (c) =>
    withEtag(
      c,
      await encounters.readEncounter(deps(c), actorOf(c), c.req.valid("param").id),
    ));
  r.openapi(visitRoutes.start, async (c) =>
    withEtag(
      c,
      await encounters.startEncounter(deps(c), actorOf(c), c.req.valid("param").id),
    ));
  r.openapi(visitRoutes.close, async (c) =>
    withEtag(
      c,
      await encounters.closeEncounter(deps(c), actorOf(c), c.req.valid("param").id),
    ));
  r.openapi(visitRoutes.cancel, async (c) =>
    withEtag(
      c,
      await encounters.cancelEncounter(
        deps(c),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
    ));
}

export function registerScheduleHandlers(r: OpenAPIHono<AppEnv>) {
  const deps = (c: { get(key: "deps"): AppEnv["Variables"]["deps"] }) => c.get("deps");
  r.openapi(scheduleRoutes.create, async (c) => {
    const s = await schedules.createSchedule(deps(c), actorOf(c), c.req.valid("json"));
    return created(c, s, `/schedules/${s.id}`);
  });
  r.openapi(
    scheduleRoutes.list,
    async (c) =>
      c.json(
        await schedules.listSchedules(deps(c).db.db, actorOf(c).orgId, c.req.valid("query")),
        200,
      ),
  );
  r.openapi(scheduleRoutes.read, async (c) =>
    withEtag(
      c,
      await schedules.readSchedule(deps(c).db.db, actorOf(c).orgId, c.req.valid("param").id),
    ));
  r.openapi(scheduleRoutes.update, async (c) =>
    withEtag(
      c,
      await schedules.updateSchedule(
        deps(c),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
        ifMatch(c),
      ),
    ));
  r.openapi(scheduleRoutes.remove, async (c) =>
    withEtag(
      c,
      await schedules.updateSchedule(
        deps(c),
        actorOf(c),
        c.req.valid("param").id,
        { deletedAt: deps(c).clock.now().toISOString() },
        ifMatch(c),
      ),
    ));
  r.openapi(scheduleRoutes.createException, async (c) => {
    const e = await schedules.createException(deps(c), actorOf(c), c.req.valid("json"));
    return created(c, e, `/schedule-exceptions/${e.id}`);
  });
  r.openapi(
    scheduleRoutes.listExceptions,
    async (c) =>
      c.json(
        await schedules.listExceptions(deps(c).db.db, actorOf(c).orgId, c.req.valid("query")),
        200,
      ),
  );
  r.openapi(scheduleRoutes.removeException, async (c) =>
    withEtag(
      c,
      await schedules.deleteException(deps(c), actorOf(c), c.req.valid("param").id, ifMatch(c)),
    ));
}
