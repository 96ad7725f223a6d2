"""The fixed vocabularies of the domain, and how a date is shown no more precisely than it is known."""

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    SEASON = "season", "Season"
    YEAR = "year", "Year"


def format_date(value, precision):
    """Render a date no more precisely than the sources state it."""
    if value is None:
        return ""
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


class FigureQualifier(models.TextChoices):
    EXACT = "exact", "Exactly"
    ABOUT = "about", "About"
    MORE_THAN = "more_than", "More than"
    NEARLY = "nearly", "Nearly"


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
    OTHER = "other", "Other"


class ContributionStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    UNDER_CONSIDERATION = "under_consideration", "Under consideration"
    PLEDGED = "pledged", "Pledged or offered"
    DELIVERED = "delivered", "Delivered or ongoing"
    UNLIKELY = "unlikely", "Judged unlikely"
    DECLINED = "declined", "Declined"


class Unit(models.TextChoices):
    AIRCRAFT = "aircraft", "aircraft"
    PERSONNEL = "personnel", "personnel"
    SHIPS = "ships", "ships"
    UNITS = "units", "units"
    NATIONS = "nations", "nations"
    DAYS = "days", "days"


class AmountBasis(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    TOTAL_TO_DATE = "total_to_date", "Total to date"
    PER_DAY = "per_day", "Per day"
    PER_YEAR = "per_year", "Per year"


# The order a stack of statuses reads in: from done, through promised, to refused.
STATUS_ORDER = ["delivered", "pledged", "under_consideration", "requested", "unlikely", "declined"]
