"""The fixed vocabularies of the domain, and how a date is shown no more precisely than it is known."""

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    SEASON = "season", "Season"
    YEAR = "year", "Year"


def format_date(value, precision, year_inferred=False):
    """Render a date no more precisely than the sources state it; a year the source does not print is
    shown as the editor's inference: "19 October [2015, year inferred]"."""
    if value is None:
        return ""
    if year_inferred:
        shown = format_date(value, precision).removesuffix(str(value.year)).strip()
        return f"{shown} [{value.year}, year inferred]" if shown else f"[{value.year}, year inferred]"
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.SEASON:
        seasons = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring"}
        seasons.update({6: "Summer", 7: "Summer", 8: "Summer", 9: "Autumn", 10: "Autumn", 11: "Autumn"})
        return f"{seasons[value.month]} {value.year}"
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", "News article"
    GOVERNMENT_REPORT = "government_report", "Government report"
    RESEARCH_REPORT = "research_report", "Research report"
    PRESS_RELEASE = "press_release", "Press release"
    TRANSCRIPT = "transcript", "Transcript"
    OTHER = "other", "Other"


class PartnerKind(models.TextChoices):
    COUNTRY = "country", "Country"
    ORGANIZATION = "organization", "International organization"


class NationRole(models.TextChoices):
    LEAD = "lead", "Lead nation"
    MILITARY = "military", "Military partner"
    NON_MILITARY = "non_military", "Non-military partner"
    MEMBER = "member", "Member (kind of contribution not stated)"
    NON_MEMBER = "non_member", "Not a member (discussed in the sources)"


class MeetingKind(models.TextChoices):
    DEFENSE_MINISTERIAL = "defense_ministerial", "Defence ministerial"
    DIPLOMATIC_PLENARY = "diplomatic_plenary", "Diplomatic plenary"
    NATO_MINISTERIAL = "nato_ministerial", "NATO ministerial"
    MILITARY_LEADERS = "military_leaders", "Senior military officials"
    BILATERAL = "bilateral", "Bilateral"
    OTHER = "other", "Other"


class MeetingSeries(models.TextChoices):
    DEFENCE_MINISTERIALS = "counter_isil_defence_ministerials", "Counter-ISIL defence ministerials"


class MeetingStatus(models.TextChoices):
    HELD = "held", "Held"
    PLANNED = "planned", "Planned"


class ParticipationRole(models.TextChoices):
    HOST = "host", "Host"
    PARTICIPANT = "participant", "Participant"
    OBSERVER = "observer", "Observer"
    INVITED = "invited", "Invited"


class FigureMetric(models.TextChoices):
    COALITION_MEMBERS = "coalition_members", "Countries in the coalition"
    COUNTRIES_REPRESENTED = "countries_represented", "Countries represented"
    COUNTRIES_INVITED = "countries_invited", "Countries invited"
    MILITARY_PARTICIPANTS = "military_participants", "Countries taking part militarily"
    NON_MILITARY_PARTICIPANTS = "non_military_participants", "Countries taking part non-militarily"
    MILITARY_CONTRIBUTORS = "military_contributors", "Nations that made a military contribution"
    TRAINING_CONTRIBUTORS = "training_contributors", "Nations that deployed trainers"
    STABILIZATION_PARTICIPANTS = "stabilization_participants", "Nations in stabilization efforts"
    FOREIGN_FIGHTER_ARRESTS = "foreign_fighter_arrests", "Countries that arrested foreign fighters"
    OTHER = "other", "Other"


class Qualifier(models.TextChoices):
    """How exact a number is, for figures and contributions' quantities alike."""

    EXACT = "exact", "Exactly"
    ABOUT = "about", "About"
    MORE_THAN = "more_than", "More than"
    NEARLY = "nearly", "Nearly"
    UP_TO = "up_to", "Up to"
    # "Several hundred": the number is the order of magnitude the source names (100).
    SEVERAL = "several", "Several"


QUALIFIER_DEFINITIONS = {
    Qualifier.EXACT: "The number as the source gives it.",
    Qualifier.ABOUT: "An approximate number (“around 1,830”).",
    Qualifier.MORE_THAN: "A lower bound (“more than 1,000 trainers”).",
    Qualifier.NEARLY: "Just under the number (“nearly 60”).",
    Qualifier.UP_TO: "An upper bound (“up to 4,000”).",
    Qualifier.SEVERAL: "Several times the order of magnitude given: 100 for “several hundred”.",
}


def format_quantity(quantity, qualifier, unit_label="", before=None):
    """A quantity as the source states it: "about 1,830 personnel", "several hundred personnel",
    "12 → 38 aircraft". Pages, downloads and the API all show quantities through this."""
    if quantity is None:
        return ""
    if quantity == 1 and unit_label.endswith("s"):
        # The unit labels are plural ("ships", "days"); "1 ships" reads as a typing error.
        unit_label = unit_label[:-1]
    if qualifier == Qualifier.SEVERAL:
        magnitudes = {10: "tens of", 100: "hundred", 1000: "thousand", 10**6: "million"}
        number = f"several {magnitudes[quantity]}" if quantity in magnitudes else f"several × {quantity:,}"
    elif qualifier and qualifier != Qualifier.EXACT:
        number = f"{Qualifier(qualifier).label.lower()} {quantity:,}"
    else:
        number = f"{quantity:,}"
    # As of a date before the change, the quantity then is the level before: "12", not "12 → 12".
    if before is not None and before != quantity:
        number = f"{before:,} → {number}"
    return f"{number} {unit_label}".strip()


class Category(models.TextChoices):
    MILITARY = "military", "Military forces"
    TRAINING = "training", "Training local forces"
    POLICE_TRAINING = "police_training", "Police training"
    INTELLIGENCE = "intelligence", "Intelligence, surveillance and reconnaissance"
    LOGISTICS = "logistics", "Logistics"
    FINANCIAL = "financial", "Financial"
    STABILIZATION = "stabilization", "Stabilization and reconstruction"
    MEDICAL = "medical", "Medical"
    HUMANITARIAN = "humanitarian", "Humanitarian"
    COUNTER_FINANCE = "counter_finance", "Countering ISIL financing"
    FOREIGN_FIGHTERS = "foreign_fighters", "Stopping foreign fighters"
    OTHER = "other", "Other"


class Capability(models.TextChoices):
    AIR_STRIKES = "air_strikes", "Air strikes"
    AIRCRAFT = "aircraft", "Combat aircraft"
    AIRCRAFT_CARRIER = "aircraft_carrier", "Aircraft carrier"
    GROUND_TROOPS = "ground_troops", "Ground troops"
    SPECIAL_FORCES = "special_forces", "Special forces"
    TRAINERS = "trainers", "Trainers"
    POLICE_TRAINERS = "police_trainers", "Police trainers"
    ISR = "isr", "Intelligence, surveillance and reconnaissance"
    AIR_TRANSPORT = "air_transport", "Air transport"
    LOGISTICS = "logistics", "Logistics support"
    BRIDGING = "bridging", "Bridging"
    MEDICAL_UNIT = "medical_unit", "Medical unit"
    FUNDING = "funding", "Funding"
    STABILIZATION = "stabilization", "Stabilization of liberated areas"
    RECONSTRUCTION = "reconstruction", "Economic and reconstruction aid"
    COUNTER_FINANCING = "counter_financing", "Choking ISIL financing"
    INFORMATION_SHARING = "information_sharing", "Information sharing"
    ADVISE_AND_ASSIST = "advise_and_assist", "Advise and assist"
    REMOTELY_PILOTED_AIRCRAFT = "remotely_piloted_aircraft", "Remotely piloted aircraft"
    ARMS_AND_EQUIPMENT = "arms_and_equipment", "Arms and equipment"
    SUPPORT_TROOPS = "support_troops", "Support troops"
    BASING_AND_ACCESS = "basing_and_access", "Basing and access"
    AERIAL_REFUELLING = "aerial_refuelling", "Aerial refuelling"
    AIRBORNE_WARNING = "airborne_warning_and_control", "Airborne warning and control"
    AIRLIFT = "airlift", "Airlift"
    COUNTER_MESSAGING = "counter_messaging", "Counter-messaging"
    CAMPAIGN_COST = "campaign_cost", "Cost of own operations"
    OTHER = "other", "Other"


# One definition of each capability: the data dictionary and the import help both read it.
CAPABILITY_DEFINITIONS = {
    Capability.AIR_STRIKES: "Strikes flown against ISIL targets.",
    Capability.AIRCRAFT: "Combat aircraft deployed, whatever their mission.",
    Capability.AIRCRAFT_CARRIER: "A carrier and its air wing.",
    Capability.GROUND_TROOPS: "Troops deployed on the ground, other than trainers and special forces.",
    Capability.SPECIAL_FORCES: "Special operations forces, in their own missions.",
    Capability.TRAINERS: "Military trainers of local forces.",
    Capability.POLICE_TRAINERS: "Trainers of local police.",
    Capability.ISR: "Intelligence, surveillance and reconnaissance, by aircraft or other means.",
    Capability.AIR_TRANSPORT: "Transport aircraft flying people and cargo in the theatre.",
    Capability.LOGISTICS: "Supply, maintenance and other support to the coalition's forces.",
    Capability.BRIDGING: "Military bridges and the engineers to lay them.",
    Capability.MEDICAL_UNIT: "A medical or field hospital unit.",
    Capability.FUNDING: "Money given to the coalition or its partners.",
    Capability.STABILIZATION: "Restoring services and security in areas taken back from ISIL.",
    Capability.RECONSTRUCTION: "Economic aid and rebuilding.",
    Capability.COUNTER_FINANCING: "Cutting ISIL off from money: oil, banks, extortion.",
    Capability.INFORMATION_SHARING: "Sharing intelligence or other information with partners.",
    Capability.ADVISE_AND_ASSIST: "Advisers (often special forces) accompanying local forces.",
    Capability.REMOTELY_PILOTED_AIRCRAFT: "Drones such as the Reaper, armed or for surveillance.",
    Capability.ARMS_AND_EQUIPMENT: "Weapons, ammunition and equipment delivered to local forces.",
    Capability.SUPPORT_TROOPS: "Troops protecting or supporting others, not in combat themselves.",
    Capability.BASING_AND_ACCESS: "Bases, airspace or access granted to coalition forces.",
    Capability.AERIAL_REFUELLING: "Tanker aircraft refuelling others in flight.",
    Capability.AIRBORNE_WARNING: "Airborne early-warning and control aircraft (AWACS).",
    Capability.AIRLIFT: "Strategic airlift into the theatre.",
    Capability.COUNTER_MESSAGING: "Countering ISIL's propaganda and recruitment.",
    Capability.CAMPAIGN_COST: (
        "What a partner spent on its own part in the campaign, as a ministry's cost figures give it (the "
        "Department of Defense's $5.4 billion to date, $11.4 million a day): money spent, not given to "
        "others. Always filed under Financial, so that it is found with the other money, and listed "
        "on the home page under the coalition as a whole."
    ),
    Capability.OTHER: "Anything the list above does not name.",
}


class ContributionStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    UNDER_CONSIDERATION = "under_consideration", "Under consideration"
    PLEDGED = "pledged", "Pledged or offered"
    DELIVERED = "delivered", "Delivered or ongoing"
    # A deployment withdrawn or a programme finished: what was delivered, over.
    ENDED = "ended", "Ended"
    UNLIKELY = "unlikely", "Judged unlikely"
    DECLINED = "declined", "Declined"


class Unit(models.TextChoices):
    AIRCRAFT = "aircraft", "aircraft"
    PERSONNEL = "personnel", "personnel"
    SHIPS = "ships", "ships"
    UNITS = "units", "units"
    NATIONS = "nations", "nations"
    DAYS = "days", "days"
    DRONES = "drones", "drones"


UNIT_DEFINITIONS = {
    Unit.AIRCRAFT: "Manned aircraft of any kind.",
    Unit.PERSONNEL: "People: troops, trainers, advisers or police.",
    Unit.SHIPS: "Ships and submarines.",
    Unit.UNITS: "Formed units (battalions, teams, hospitals).",
    Unit.NATIONS: "Countries.",
    Unit.DAYS: "Days.",
    Unit.DRONES: "Remotely piloted aircraft.",
}


class TheatreCode(models.TextChoices):
    IRAQ = "iraq", "Iraq"
    SYRIA = "syria", "Syria"
    REGION = "region", "The wider region"
    HOME = "home", "Home territory"


THEATRE_DEFINITIONS = {
    TheatreCode.IRAQ: "In Iraq or its airspace.",
    TheatreCode.SYRIA: "In Syria or its airspace.",
    TheatreCode.REGION: "Elsewhere in the region: the Gulf, Jordan, Turkey, the eastern Mediterranean.",
    TheatreCode.HOME: "On the contributing partner's own territory (border security, arrests, funding at home).",
}


# ISO 4217 codes that original amounts may be written in: the currencies of the coalition's partners
# and of the sources' figures. An unknown code is a typing error; extend the list when a source needs one.
# fmt: off
CURRENCIES = [
    "AED", "AUD", "BHD", "CAD", "CHF", "CZK", "DKK", "EGP", "EUR", "GBP", "HUF", "IQD",
    "JOD", "JPY", "KRW", "KWD", "MAD", "NOK", "NZD", "OMR", "PLN", "QAR", "SAR", "SEK",
    "TND", "TRY", "USD",
]
# fmt: on


class AmountBasis(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    TOTAL_TO_DATE = "total_to_date", "Total to date"
    PER_DAY = "per_day", "Per day"
    PER_YEAR = "per_year", "Per year"


# The order a stack of statuses reads in: from done, through promised, to refused.
STATUS_ORDER = ["delivered", "ended", "pledged", "under_consideration", "requested", "unlikely", "declined"]


# Each vocabulary's definitions, by the name of the field that holds it: the data dictionary and the
# import help both read this.
DEFINITIONS = {
    "capability": CAPABILITY_DEFINITIONS,
    "unit": UNIT_DEFINITIONS,
    "qualifier": QUALIFIER_DEFINITIONS,
    "quantity_qualifier": QUALIFIER_DEFINITIONS,
    "theatres": THEATRE_DEFINITIONS,
}


def definition(field_name, value):
    """The short definition of a vocabulary's value, or "" where the vocabulary has none."""
    return str(DEFINITIONS.get(field_name, {}).get(value, ""))
