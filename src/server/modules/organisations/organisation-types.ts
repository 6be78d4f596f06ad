// Which kinds of organisation exist and how party organisations nest.
import taxonomy from '../../data/taxonomy.json' with { type: 'json' };

export const organisationKinds = ['government', 'party', 'social'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

/** Government unit types are the department types of the appeal taxonomy (data, not code). */
export const governmentTypes: readonly string[] = Object.keys(taxonomy.departments);

/** 党委, 党工委, 党总支, 党支部, 党小组, 临时党支部 */
export const partyTypes = ['party_committee', 'working_committee', 'general_branch', 'branch', 'group', 'temporary_branch'] as const;

export const socialTypes = ['property_company', 'owners_committee', 'company', 'resident_unit', 'social_organisation'] as const;

export const typesByKind: Record<OrganisationKind, readonly string[]> = {
  government: governmentTypes,
  party: partyTypes,
  social: socialTypes,
};

/** The party types a party organisation of each type may sit under. */
export const partyParents: Record<(typeof partyTypes)[number], readonly string[]> = {
  party_committee: ['party_committee', 'working_committee'],
  working_committee: ['party_committee'],
  general_branch: ['party_committee', 'working_committee'],
  branch: ['party_committee', 'working_committee', 'general_branch'],
  group: ['branch', 'temporary_branch'],
  temporary_branch: ['party_committee', 'working_committee', 'general_branch', 'branch'],
};
