import { z } from "@hono/zod-openapi";
import { IfMatchHeader, json, jsonBody, PageQuery, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  CreateOrganizationBody,
  CreateOrganizationResponse,
  Organization,
  OrganizationPatch,
} from "./schemas.ts";

const tags = ["Organizations"];

export const createOrganization = defineRoute({
  method: "post",
  path: "/organizations",
  tags,
  access: "organizations:create",
  summary: "Create an organisation with its first facility and first admin",
  request: { body: jsonBody(CreateOrganizationBody) },
  responses: { 201: json(CreateOrganizationResponse, "The new organisation") },
});

export const listOrganizations = defineRoute({
  method: "get",
  path: "/organizations",
  tags,
  access: "organizations:list",
  summary: "List organisations (platform super admin)",
  request: { query: z.object(PageQuery) },
  responses: { 200: json(PageSchema(Organization, "OrganizationPage"), "A page of organisations") },
});

export const currentOrganization = defineRoute({
  method: "get",
  path: "/organizations/current",
  tags,
  access: "organization:read",
  summary: "The organisation the caller is acting in",
  responses: { 200: json(Organization, "The current organisation") },
});

export const updateCurrentOrganization = defineRoute({
  method: "patch",
  path: "/organizations/current",
  tags,
  access: "organization:write",
  summary: "Change the current organisation's name, practice systems, time zone or currency",
  description: "The organisation code never changes: staff use it to register.",
  request: { headers: IfMatchHeader, body: jsonBody(OrganizationPatch) },
  responses: { 200: json(Organization, "The updated organisation") },
});
