// Typed search-attribute keys shared by workflows (upserts) and the client (start options, list filters). They are
// Temporal's types (@temporalio/common), so they live with the workflows, not in core/; temporal/searchAttributes.ts
// registers the same names with the server.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BpsRunState = defineSearchAttributeKey('BpsRunState', SearchAttributeType.KEYWORD);
export const BpsRun = defineSearchAttributeKey('BpsRun', SearchAttributeType.KEYWORD);
export const BpsOperator = defineSearchAttributeKey('BpsOperator', SearchAttributeType.KEYWORD);
export const BpsPayload = defineSearchAttributeKey('BpsPayload', SearchAttributeType.KEYWORD);
export const BpsSite = defineSearchAttributeKey('BpsSite', SearchAttributeType.KEYWORD);
export const BpsCampaign = defineSearchAttributeKey('BpsCampaign', SearchAttributeType.KEYWORD);
export const BpsStep = defineSearchAttributeKey('BpsStep', SearchAttributeType.KEYWORD);
